// The one protocol module: every message crossing a process or webview boundary is typed here.
// Each boundary has its own file; import from this index.
export * from './trainer';
export * from './curves';
export * from './degrees';
export * from './pairView';
export * from './experiment';
export * from './webviewGuards';
