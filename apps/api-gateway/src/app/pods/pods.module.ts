import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { PodsController } from './pods.controller';
import { PodsService } from './pods.service';

@Module({ imports: [ResourcesModule], controllers: [PodsController], providers: [PodsService], exports: [] })
export class PodsModule {}
