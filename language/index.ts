// The language library's public surface: everything the CLI, runtime and editor need.
export * from './ranges';
export * from './catalogue';
export * from './parser';
export * from './commands';
export * from './diagnostics';
export * from './analyzer';
export * from './directives';
export * from './topology';
export * from './suggest';
export * from './format';
export * from './decode';
export * from './reparse';
export * from './edits';
export * from './ids';
export { lineRange, linkLossNote } from './semantics';
