// Messages of the screens both web apps share (web/shared/*.vue), in both languages: each app's message files take
// them from here, so a wording is changed once.
export default {
  'zh-CN': {
    suspended: {
      title: '本县服务已暂停',
      thisCounty: '本县',
      text: '{county}的村情通服务已暂停，暂时无法上报、办事和查看信息。',
      since: '暂停时间：{time}',
      contact: '如有疑问，请联系',
      kept: '您的账号和已提交的信息都会保留，服务恢复后可继续使用；未发送的内容会在恢复后自动发送。',
      retry: '重新检查',
      checking: '正在检查…',
      still: '服务仍在暂停中，请稍后再试。',
      switch: '进入{name}',
      signOut: '退出登录',
    },
  },
  en: {
    suspended: {
      title: 'Service suspended in this county',
      thisCounty: 'This county',
      text: 'The 村情通 service of {county} is suspended: reports, services and information are unavailable for now.',
      since: 'Suspended since {time}',
      contact: 'For questions, contact',
      kept: 'Your account and what you submitted are kept; when the service resumes you carry on, and anything not yet sent goes out then.',
      retry: 'Check again',
      checking: 'Checking…',
      still: 'The service is still suspended. Please try again later.',
      switch: 'Go to {name}',
      signOut: 'Sign out',
    },
  },
}
