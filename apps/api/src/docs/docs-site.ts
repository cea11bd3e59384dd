import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { ApiConfig } from '../config';

/** The OpenAPI 3.1 document of the API, generated from the controllers and DTOs. */
export function openApiDocument(app: NestFastifyApplication, config: ApiConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Invoicing API')
    .setVersion('1')
    .addServer(config.publicUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer');
  return SwaggerModule.createDocument(app, builder.build());
}

/** Serves the docs site: the API reference and the business docs, at /docs; the document at /openapi.json. */
export function mountDocs(app: NestFastifyApplication, config: ApiConfig): OpenAPIObject {
  const document = openApiDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  return document;
}
