import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { reasonForCode, statusFor } from '@berth/contracts';

/** What Node's HTTP parser refused, in words a client can act on. */
const PARSER_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'the request headers are larger than the server accepts (16 KiB)'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request was not received in time'],
};

/**
 * Answers a request Node's HTTP parser refuses (headers too large, broken framing, bad method)
 * with a Kubernetes Status body, like every other error of the API, instead of Node's bare
 * status line; the connection is then closed, as the parser cannot resynchronise.
 */
export function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [code, message] = PARSER_ERRORS[error.code ?? ''] ?? [400, `the request could not be parsed as HTTP (${error.code ?? error.message})`];
  const body = JSON.stringify(statusFor(code, reasonForCode(code), message));
  // The answer to a HEAD request has no body (a client would read it as the next response).
  const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
  );
}

/**
 * `//x@y` reads as a host and user, not a path, to the URL parser Express routes with: no route,
 * not even the not-found one, would see such a request, and Express would answer with an HTML
 * page. Leading slashes are collapsed (as Go's ServeMux cleans paths), so every request reaches
 * the API and gets a Status. (Targets that do not start with `/` are refused by Node's parser.)
 */
export function normaliseRequestTarget(req: IncomingMessage): void {
  if (req.url?.startsWith('//')) req.url = req.url.replace(/^\/+/, '/');
}

/** The HTTP server's own edges: what Node refuses before Express, and targets Express cannot route. */
@Injectable()
export class HttpServerHardening implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    server?.on('clientError', answerClientError);
    server?.prependListener('request', normaliseRequestTarget);
  }
}
