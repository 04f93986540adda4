/** @type {import('next').NextConfig} */
const nextConfig = {
  // Cross-origin isolation: lets onnxruntime-web and tfjs use SharedArrayBuffer (wasm threads).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
          { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
  turbopack: {},
};

module.exports = nextConfig;
