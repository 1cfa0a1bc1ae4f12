import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { ServicesController } from './services.controller';
import { ServicesService } from './services.service';

@Module({ imports: [ResourcesModule], controllers: [ServicesController], providers: [ServicesService], exports: [ServicesService] })
export class ServicesModule {}
