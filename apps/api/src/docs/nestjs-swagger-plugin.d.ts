// The package exports its CLI plugin as `@nestjs/swagger/plugin`, whose types only module resolutions that read
// `exports` find; ours (node10) finds the untyped plugin.js at the package root instead.
declare module '@nestjs/swagger/plugin' {
  export { ReadonlyVisitor } from '@nestjs/swagger/dist/plugin';
}
