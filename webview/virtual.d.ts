/** The layout worker's bundle as text (scripts/build.mjs): started from a blob: URL, as the CSP allows. */
declare module 'virtual:layout-worker' {
  const source: string;
  export default source;
}
