// The root tsconfig uses `moduleResolution: node`, which ignores package.json "exports", so it cannot
// see the types of `vscode-languageclient/node` (esbuild and newer resolutions can). This shim maps
// the subpath to the file the exports map points at. (skipLibCheck keeps it harmless under
// node16/bundler resolution, where the real entry is found first.)
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
