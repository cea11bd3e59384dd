// `npm start`: runs the API with its docs on the local stack. The API (apps/api) is not built yet: say so plainly.
console.error(
  [
    'The invoicing API is not available yet: it arrives with the API issue (apps/api).',
    'What works today:',
    '  npm test            runs every test (domain packages, the local stack)',
    '  npm run stack:up    starts the local MongoDB-compatible server and Keycloak, and prints how to reach them',
  ].join('\n'),
);
process.exitCode = 1;
