#!/usr/bin/env node
// The fixover command. The implementation is compiled to dist/ by `npm run build` (run by npm ci).
import '../dist/cli/bin.js';
