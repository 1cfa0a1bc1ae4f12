module.exports = {
  displayName: 'hollow-runtime',
  preset: '../../jest.preset.js',
};
