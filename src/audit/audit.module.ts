import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditConfig } from './audit.config';
import { AuditService } from './audit.service';
import { AuditTrailService } from './audit-trail.service';
import { AuditEventEntity } from './entities/audit-event.entity';

@Module({
  imports: [ConfigModule.forFeature(auditConfig), TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [AuditService, AuditTrailService],
  exports: [AuditService, AuditTrailService],
})
export class AuditModule {}
