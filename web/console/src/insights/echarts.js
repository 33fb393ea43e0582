// Only the parts of ECharts 问题分析 draws: stacked bars, bars, and villages as (effect) scatter points on plain
// lng/lat axes (no map tiles, no boundary data from anywhere).
import { BarChart, EffectScatterChart, ScatterChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'

echarts.use([BarChart, ScatterChart, EffectScatterChart, GridComponent, TooltipComponent, LegendComponent,
  AriaComponent, SVGRenderer])

export { echarts }
