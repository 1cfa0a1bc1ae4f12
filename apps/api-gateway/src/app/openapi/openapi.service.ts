import { Injectable } from '@nestjs/common';
import { docsPage, openApiDocument } from './openapi.document';

@Injectable()
export class OpenApiService {
  private readonly document = openApiDocument();
  private readonly page = docsPage();

  json(): Record<string, unknown> {
    return this.document;
  }

  docs(): string {
    return this.page;
  }
}
