// swagger-ui-dist ships no types. Only its path helper is loaded: the package's index.js would also
// evaluate the 1.5 MB browser bundle in the gateway (about 200 ms and 12 MB at start-up).
declare module 'swagger-ui-dist/absolute-path.js' {
  /** The folder of the package's static files (swagger-ui-bundle.js, swagger-ui.css, ...). */
  const absolutePath: () => string;
  export default absolutePath;
}
