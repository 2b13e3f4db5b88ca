/** esbuild's `text` loader turns `.proto` imports into their source text. */
declare module '*.proto' {
  const text: string;
  export default text;
}
