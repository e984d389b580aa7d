import { Module } from '@nestjs/common';
import { StoresController } from './document-stores.controller.js';
import { EnsureStoreHandler } from './ensure-store.handler.js';

/** `stores.*`: get-or-create, list and get, for members of the workspace's organization. */
@Module({
  controllers: [StoresController],
  providers: [EnsureStoreHandler],
})
export class StoresModule {}
