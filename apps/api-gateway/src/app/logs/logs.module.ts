import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { LogsController } from './logs.controller';
import { LogsService } from './logs.service';

@Module({ imports: [ResourcesModule], controllers: [LogsController], providers: [LogsService], exports: [] })
export class LogsModule {}
