// esbuild loads .css files as text (scripts/build.js); this tells tsc the same.
declare module '*.css' {
  const text: string;
  export default text;
}
