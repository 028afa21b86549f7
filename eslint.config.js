import neostandard from 'neostandard'

export default neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'test/docs/client/api.d.ts', 'test/docs/client/.generated/**'] })
