// CSV templates with the column names the importer reads (chalicelib/imports/sheets.py). UTF-8 with a BOM so that
// Excel opens the Chinese header correctly. Each template carries the allowed values in its header (the importer
// ignores a hint in brackets: 是否党员（是/否） is 是否党员) and one sample row, marked 示例: the importer skips
// it and says so, so a template imported as it is adds nothing.
export const RELATIONS = ['户主', '配偶', '子女', '父母', '孙子女', '兄弟姐妹', '其他']

export const TEMPLATE_COLUMNS = {
  places: ['编码（乡镇9位、行政村12位、网格为村编码+G+2位序号）', '名称', '上级编码（可不填）'],
  households: ['户编号', '网格编码', '地址', '姓名', `与户主关系（${RELATIONS.join('/')}）`, '身份证号（18位，请设为文本）',
    '手机号', '是否党员（是/否）', '是否外来人员（是/否）', '来自（外来人员填写）'],
  // 网上代办's catalogue (chalicelib/errands/sheet.py). A hint must not hold brackets of its own: the importer drops
  // the first bracketed group of a header, so the cells' syntax is shown by the sample row.
  errands: ['事项编码（可不填，填了以编码匹配更新）', '事项名称*', '实施部门*', '事项简介（500字以内）', '办理条件',
    '申请材料（每行一项，冒号后写说明，须验原件的照示例标注原件）',
    '表单字段（用；分隔，*为必填，类型写在括号里：日期、身份证号、照片、选项：甲/乙）', '收费标准（如不收费）',
    '法定时限（工作日数，如20个工作日，当场办结写即办）', '承诺时限（工作日数）', '送达方式（快递送达、网点自取，不填为两者皆可）',
    '关键词（群众会搜的叫法，用、分隔，最多10个）'],
}

// The errands sample: 生育登记 as the demo county lists it (devstack/demo_errands.py; tests/unit/test_errands_sheet.py
// reads this template and checks that it gives that item back).
const ERRAND_SAMPLE = ['LY-WJ-001', '生育登记', '县卫生健康局',
  '生育第一、二、三个子女的家庭，在孩子出生前或出生后办理生育登记，登记后可享受孕产期保健等服务。',
  '夫妻一方户籍在龙游县，或女方在龙游县居住。',
  '夫妻双方居民身份证（原件）：正反面拍照\n户口簿：夫妻双方的户主页和本人页\n结婚证：有结婚登记的提供，拍照内页',
  '女方姓名*；女方身份证号（身份证号）*；预产期或孩子出生日期（日期）*；本次生育孩次（选项：第一孩/第二孩/第三孩）*；'
    + '出生医学证明（照片）',
  '不收费', '1个工作日', '即办', '网点自取、快递送达', '准生证、生育服务证、二孩、三孩、生孩子登记']

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** GB 11643 check character of the first 17 digits. */
export function idCheckDigit(first17) {
  return '10X98765432'[[...first17].reduce((s, c, i) => s + Number(c) * WEIGHTS[i], 0) % 11]
}

/** The sample row, with the county's own codes when known. */
export function sampleRow(kind, county = '330825') {
  const village = `${county}001201`
  if (kind === 'places') return [`示例：${village}G01`, '第一网格', village]
  if (kind === 'errands') return [`示例：${ERRAND_SAMPLE[0]}`, ...ERRAND_SAMPLE.slice(1)]
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

const FILENAMES = { places: '地点导入模板.csv', households: '住户导入模板.csv', errands: '网上代办事项导入模板.csv' }

export function templateFilename(kind) {
  return FILENAMES[kind]
}
