import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { ServicesModule } from '../services/services.module';
import { DefaultNamespaceBootstrap } from './default-namespace.bootstrap';
import { NamespacesController } from './namespaces.controller';
import { NamespacesService } from './namespaces.service';

@Module({ imports: [ResourcesModule, ServicesModule], controllers: [NamespacesController], providers: [NamespacesService, DefaultNamespaceBootstrap], exports: [NamespacesService] })
export class NamespacesModule {}
