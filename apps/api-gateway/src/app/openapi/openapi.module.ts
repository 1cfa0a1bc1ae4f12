import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller';
import { OpenApiService } from './openapi.service';
import { SwaggerUiAssets } from './swagger-ui.assets';

@Module({ imports: [], controllers: [OpenApiController], providers: [OpenApiService, SwaggerUiAssets], exports: [] })
export class OpenApiModule {}
