import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsService } from './deployments.service';

@Module({ imports: [ResourcesModule], controllers: [DeploymentsController], providers: [DeploymentsService], exports: [DeploymentsService] })
export class DeploymentsModule {}
