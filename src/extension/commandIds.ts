// Every command id the extension registers, in one place (contributed ones mirror package.json).
export enum CommandId {
  Train = 'spo.train',
  StopTraining = 'spo.stopTraining',
  ResumeTraining = 'spo.resumeTraining',
  RunExperiment = 'spo.runExperiment',
  ShowCurves = 'spo.showCurves',
  InspectDegree = 'spo.inspectDegree',
  ShowDatasetDegrees = 'spo.showDatasetDegrees',
  OpenPairView = 'spo.openPairView',
  ToggleHighlights = 'spo.toggleHighlights',
  GetModel = 'spo.getModel',
}
