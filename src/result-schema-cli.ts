// Prints the JSON Schema of the result document (npm run schema writes it to schema/result.schema.json).
import { resultJsonSchema } from './result.js';

process.stdout.write(`${JSON.stringify(resultJsonSchema(), null, 2)}\n`);
