import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServeStaticOptions } from '@nestjs/platform-express/interfaces/serve-static-options.interface';
import type { Request, Response } from 'express';
import swaggerUiDistPath from 'swagger-ui-dist/absolute-path.js';

/** The Swagger UI page; its files are served below it (`/docs/swagger-ui-bundle.js`, ...). */
export const DOCS_PATH = '/docs';
/** The document the UI shows. */
export const OPENAPI_PATH = '/openapi.json';

/**
 * The page may load only the gateway's own files and call only the gateway: nothing reaches
 * another host (Swagger UI's styles are inline, its images data: URLs).
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** The folder holding swagger-ui-dist's files (node_modules/swagger-ui-dist, in the image too). */
export function swaggerUiDirectory(): string {
  return swaggerUiDistPath();
}

/** The HTML of /docs: swagger-ui-dist's index.html with absolute asset paths (it is served at /docs and /docs/). */
export function swaggerUiPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Berth API</title>
<link rel="stylesheet" type="text/css" href="${DOCS_PATH}/swagger-ui.css">
<link rel="stylesheet" type="text/css" href="${DOCS_PATH}/index.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png" sizes="32x32">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-16x16.png" sizes="16x16">
</head>
<body>
<noscript><p>Swagger UI needs JavaScript. The OpenAPI 3 document: <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</p></noscript>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="${DOCS_PATH}/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script src="${DOCS_PATH}/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
`;
}

/**
 * Replaces the package's swagger-initializer.js (which loads the Petstore from the internet):
 * the gateway's document, and no validator badge (validator.swagger.io is another host).
 */
export function swaggerUiInitializer(): string {
  return `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;
}

const NO_SNIFF = { 'X-Content-Type-Options': 'nosniff' };

/**
 * Serves Swagger UI's static files under /docs/ from swagger-ui-dist (express.static through
 * Nest's adapter), with the gateway's initializer in place of the package's. Installed while the
 * application is built, so these handlers come before the controllers' routes; like /healthz they
 * need no token (the /docs page and /openapi.json are @Public routes, and the files are the package's).
 */
@Injectable()
export class SwaggerUiAssets {
  constructor(adapterHost: HttpAdapterHost) {
    const adapter = adapterHost.httpAdapter;
    if (!adapter) throw new Error('the gateway must be created with NestFactory.create: Swagger UI files are served by its HTTP adapter');
    const initializer = swaggerUiInitializer();
    adapter.get(`${DOCS_PATH}/swagger-initializer.js`, (_request: Request, response: Response) => {
      response.set(NO_SNIFF).type('text/javascript').send(initializer);
    });
    // The package's own page would load the Petstore from the internet.
    adapter.get(`${DOCS_PATH}/index.html`, (_request: Request, response: Response) => response.redirect(301, DOCS_PATH));
    const options: ServeStaticOptions = {
      prefix: DOCS_PATH,
      // /docs and /docs/ fall through to the controller's page.
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (response: Response) => response.setHeader('X-Content-Type-Options', 'nosniff'),
    };
    adapter.useStaticAssets(swaggerUiDirectory(), options);
  }
}
