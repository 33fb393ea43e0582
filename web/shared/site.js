// What the deployment says about the site itself: /site.json, written per stage and region by the synthesis
// (infra/app.py, from infra/stages.json) and uploaded with the web app (docs/deploy.md, "Deploy a stage"). In the
// China regions it holds the domain's ICP recordal number, which Chinese law wants at the foot of the site's
// first page, linked to the MIIT's recordal system. It names the cell the site is and the cells' directory, where a
// county's link finds its cell (cells.js). Absent (an old upload): nothing to show, no directory.

export const ICP_URL = 'https://beian.miit.gov.cn/'
const ICP = /^[\u4e00-\u9fff]ICP[备证]\d{6,10}号(-\d{1,3})?$/

let loading = null

/** The site's settings, fetched once per page load; {} when there are none or they cannot be read. */
export function loadSite() {
  loading ??= fetch('/site.json', { cache: 'no-cache', credentials: 'omit' })
    .then((res) => (res.ok ? res.json() : {}))
    .then((site) => {
      const icp = site?.icp_recordal
      return {
        icp: typeof icp === 'string' && ICP.test(icp) ? icp : null,
        cell: typeof site?.cell === 'string' ? site.cell : null, // this cell's id (cells.js)
        directory: typeof site?.directory === 'string' ? site.directory : null, // the cells' directory (cells.js)
      }
    })
    .catch(() => ({ icp: null, cell: null, directory: null }))
  return loading
}

/** Tests: forget the loaded settings. */
export function resetSite() {
  loading = null
}
