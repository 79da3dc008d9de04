/** Notebook and report output: figures, tables, progress bars. */
export { inNotebook, showBundle, LiveDisplay, type MimeBundle } from "./display";
export { drawingBundle, drawingHtml, showDrawing } from "./drawing";
export { escapeHtml } from "./html";
export { showMarkdown } from "./markdown";
export {
  showFigure,
  figureHtml,
  figureText,
  figureTitle,
  plotlyLibraryHtml,
  NotebookFigures,
  PLOTLY_MIME,
  type Figure,
  type Trace,
} from "./plotly";
export { ProgressBar, formatProgress, formatDuration, type ProgressOptions, type ProgressState, type ProgressStream } from "./progress";
export { writeReport, reportHtml, type Report, type ReportDrawing, type ReportSection, type ReportTable } from "./report";
export { showTable, tableHtml, tableText, formatCell, type DataFrameLike, type TableInput, type TableOptions, type TableRecord } from "./table";
export { bestSoFar, bestSoFarAtTimes, bestSoFarFigure, bestSoFarVsTimeFigure, meanWithBand, paramsVsAccuracyFigure, topKSoFar, type BandStyle, type MethodRuns, type TrialSeries } from "./search-figures";
export { methodStyle, type MethodStyle } from "./palette";
export { alphaHistoryFigure, finalAlphaFigure, searchLossFigure, supernetAccuracyFigure, type AlphaLayout, type AlphaWeights, type SearchEpoch } from "./one-shot-figures";
export { choiceRows, controllerProbabilityFigure, rewardFigure, type ChoiceRow, type ControllerRun, type UpdateRecord } from "./controller-figures";
