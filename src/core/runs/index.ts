// Training runs from the outside: run folders on disk, their metrics, and the trainer process client.
// Pure Node (no vscode): the extension's run manager and the curves panel build on it.
export * from './runFolders';
export * from './metricsFile';
export * from './runHistory';
export * from './healthAlerts';
export * from './trainerProcess';
export * from './trainRequest';
export * from './degreesFile';
export * from './metricsCsv';
export * from './exampleDegrees';
export * from './experimentRuns';
export * from './resumableRuns';
export * from './experimentRequest';
export * from './experimentProgress';
export * from './cliProcess';
export * from './experimentResults';
export * from './runOwnership';
