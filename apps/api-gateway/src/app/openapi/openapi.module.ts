import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller';
import { OpenApiService } from './openapi.service';

@Module({ imports: [], controllers: [OpenApiController], providers: [OpenApiService], exports: [] })
export class OpenApiModule {}
