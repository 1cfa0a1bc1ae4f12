import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { Public } from '../auth/access.decorator';
import { AccessGuard } from '../auth/access.guard';
import { OpenApiService } from './openapi.service';
import { DOCS_CONTENT_SECURITY_POLICY } from './swagger-ui.assets';

@Controller()
@UseGuards(AccessGuard)
export class OpenApiController {
  constructor(private readonly openApi: OpenApiService) {}

  @Get('openapi.json')
  @Public()
  document(): Record<string, unknown> {
    return this.openApi.json();
  }

  @Get('docs')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY)
  @Header('X-Content-Type-Options', 'nosniff')
  docs(): string {
    return this.openApi.docs();
  }
}
