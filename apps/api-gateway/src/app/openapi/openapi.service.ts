import { Injectable } from '@nestjs/common';
import { openApiDocument } from './openapi.document';
import { swaggerUiPage } from './swagger-ui.assets';

@Injectable()
export class OpenApiService {
  private readonly document = openApiDocument();
  private readonly page = swaggerUiPage();

  json(): Record<string, unknown> {
    return this.document;
  }

  docs(): string {
    return this.page;
  }
}
