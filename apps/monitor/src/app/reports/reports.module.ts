import { Module } from '@nestjs/common';
import { ObservabilityModule } from '../observability/observability.module';
import { ReportHandler } from './report.handler';
import { ReportsService } from './reports.service';

@Module({
  imports: [ObservabilityModule],
  providers: [ReportsService, ReportHandler],
})
export class ReportsModule {}
