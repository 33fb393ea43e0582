// CSV templates with the column names the importer reads (chalicelib/imports/sheets.py). UTF-8 with a BOM so
// that Excel opens the Chinese header correctly.
export const TEMPLATE_COLUMNS = {
  places: ['编码', '名称', '上级编码'],
  households: ['户编号', '网格编码', '地址', '姓名', '与户主关系', '身份证号', '手机号', '是否党员', '是否外来人员', '来自'],
}

function csvCell(v) {
  const s = String(v ?? '')
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(rows) {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}

export function templateCsv(kind) {
  return toCsv([TEMPLATE_COLUMNS[kind]])
}

export function templateHref(kind) {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(templateCsv(kind))}`
}

export function templateFilename(kind) {
  return kind === 'places' ? '地点导入模板.csv' : '住户导入模板.csv'
}
