#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp samplerCube;
out vec4 isf_FragColor;
#define gl_FragColor isf_FragColor
in vec2 isf_FragNormCoord;
uniform int PASSINDEX;
uniform vec2 RENDERSIZE;
uniform float TIME;
uniform float TIMEDELTA;
uniform vec4 DATE;
uniform int FRAMEINDEX;
uniform vec2 isf_FlipY;
uniform sampler2D inputImage;
uniform vec4 _inputImage_imgRect;
uniform vec2 _inputImage_imgSize;
uniform bool _inputImage_flip;
uniform sampler2D mask;
uniform vec4 _mask_imgRect;
uniform vec2 _mask_imgSize;
uniform bool _mask_flip;
uniform sampler2D wave;
uniform vec4 _wave_imgRect;
uniform vec2 _wave_imgSize;
uniform bool _wave_flip;
uniform sampler2D spectrum;
uniform vec4 _spectrum_imgRect;
uniform vec2 _spectrum_imgSize;
uniform bool _spectrum_flip;
uniform float amount;
vec4 isf_fragCoord() {
  return vec4(gl_FragCoord.x, gl_FragCoord.y * (1.0 - 2.0 * isf_FlipY.x) + isf_FlipY.y, gl_FragCoord.zw);
}
#define gl_FragCoord isf_fragCoord()
vec2 isf_imgCoord(vec4 rect, bool flip, vec2 n) {
  return vec2(n.x * rect.z + rect.x, (flip ? rect.w - n.y * rect.w : n.y * rect.w) + rect.y);
}
vec4 VVSAMPLER_2DBYPIXEL(sampler2D s, vec4 rect, vec2 size, bool flip, vec2 loc) {
  return texture(s, isf_imgCoord(rect, flip, loc / size));
}
vec4 VVSAMPLER_2DBYPIXEL(sampler2D s, vec4 rect, vec2 size, bool flip, vec2 loc, float bias) {
  return texture(s, isf_imgCoord(rect, flip, loc / size), bias);
}
vec4 VVSAMPLER_2DBYNORM(sampler2D s, vec4 rect, vec2 size, bool flip, vec2 loc) {
  return texture(s, isf_imgCoord(rect, flip, loc));
}
vec4 VVSAMPLER_2DBYNORM(sampler2D s, vec4 rect, vec2 size, bool flip, vec2 loc, float bias) {
  return texture(s, isf_imgCoord(rect, flip, loc), bias);
}
// IMG_THIS_PIXEL(inputImage) in a comment stays
#define SAMPLE_MASK(p) VVSAMPLER_2DBYNORM(mask, _mask_imgRect, _mask_imgSize, _mask_flip, (p))
float MY_IMG_PIXEL = 1.0;
void main() {
  vec4 a = VVSAMPLER_2DBYPIXEL(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, gl_FragCoord.xy);
  vec4 b = VVSAMPLER_2DBYNORM(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, isf_FragNormCoord) + VVSAMPLER_2DBYNORM(mask, _mask_imgRect, _mask_imgSize, _mask_flip, isf_FragNormCoord);
  vec4 c = VVSAMPLER_2DBYPIXEL(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, vec2(gl_FragCoord.x, (gl_FragCoord.y + 1.0)), 2.0);
  vec4 d = VVSAMPLER_2DBYNORM(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip,
                          isf_FragNormCoord * vec2((_mask_imgSize).x / (_inputImage_imgSize).x, 1.0),
                          -1.0);
  vec4 e = SAMPLE_MASK(VVSAMPLER_2DBYNORM(mask, _mask_imgRect, _mask_imgSize, _mask_flip, vec2(0.5)).xy);
  vec4 w = VVSAMPLER_2DBYPIXEL(wave, _wave_imgRect, _wave_imgSize, _wave_flip, vec2(gl_FragCoord.x, 0.5)) + VVSAMPLER_2DBYNORM(spectrum, _spectrum_imgRect, _spectrum_imgSize, _spectrum_flip, vec2(0.5, 0.5));
  gl_FragColor = mix(a, b + c + d + e + w, amount * MY_IMG_PIXEL);
}
