// Only the parts of ECharts the console draws (keeps its chunk small): bars and lines (coverage, completion, stats,
// quality), and villages as (effect) scatter points on plain lng/lat axes for 问题分析's hotspots (no map tiles, no
// boundary data from anywhere).
import { BarChart, EffectScatterChart, LineChart, ScatterChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, ScatterChart, EffectScatterChart, GridComponent, TooltipComponent, LegendComponent,
  AriaComponent, SVGRenderer])

export { echarts }
