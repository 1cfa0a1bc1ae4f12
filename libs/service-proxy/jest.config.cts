module.exports = {
  displayName: 'service-proxy',
  preset: '../../jest.preset.js',
};
