import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { HpasController } from './hpas.controller';
import { HpasService } from './hpas.service';

@Module({ imports: [ResourcesModule], controllers: [HpasController], providers: [HpasService], exports: [HpasService] })
export class HpasModule {}
