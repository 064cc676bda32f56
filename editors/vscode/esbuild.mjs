// Bundles the extension and vscode-languageclient into dist/extension.js.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const options = {
    entryPoints: ['src/extension.ts'],
    bundle: true,
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: watch,
    minify: !watch,
    logLevel: 'info',
};

if (watch) {
    await (await esbuild.context(options)).watch();
} else {
    await esbuild.build(options);
}
