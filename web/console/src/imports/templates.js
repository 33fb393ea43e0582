// CSV templates with the column names the importer reads (chalicelib/imports/sheets.py). UTF-8 with a BOM so that
// Excel opens the Chinese header correctly. Each template carries the allowed values in its header (the importer
// ignores a hint in brackets: 是否党员（是/否） is 是否党员) and one sample row, marked 示例: the importer skips
// it and says so, so a template imported as it is adds nothing.
export const RELATIONS = ['户主', '配偶', '子女', '父母', '孙子女', '兄弟姐妹', '其他']

export const TEMPLATE_COLUMNS = {
  places: ['编码（乡镇9位、行政村12位、网格为村编码+G+2位序号）', '名称', '上级编码（可不填）'],
  households: ['户编号', '网格编码', '地址', '姓名', `与户主关系（${RELATIONS.join('/')}）`, '身份证号（18位，请设为文本）',
    '手机号', '是否党员（是/否）', '是否外来人员（是/否）', '来自（外来人员填写）'],
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** GB 11643 check character of the first 17 digits. */
export function idCheckDigit(first17) {
  return '10X98765432'[[...first17].reduce((s, c, i) => s + Number(c) * WEIGHTS[i], 0) % 11]
}

/** The sample row, with the county's own codes when known. */
export function sampleRow(kind, county = '330825') {
  const village = `${county}001201`
  if (kind === 'places') return [`示例：${village}G01`, '第一网格', village]
  const id17 = `${county}19800101001`
  return ['示例-0001', `${village}G01`, '某村1号', '张三', '户主', id17 + idCheckDigit(id17), '13800000000', '否', '否', '']
}

function csvCell(v) {
  const s = String(v ?? '')
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(rows) {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}

export function templateCsv(kind, county) {
  return toCsv([TEMPLATE_COLUMNS[kind], sampleRow(kind, county || undefined)])
}

export function templateHref(kind, county) {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(templateCsv(kind, county))}`
}

export function templateFilename(kind) {
  return kind === 'places' ? '地点导入模板.csv' : '住户导入模板.csv'
}
