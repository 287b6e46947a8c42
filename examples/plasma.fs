/*{
  "DESCRIPTION": "A colour plasma with a soft vignette: the example the README renders.",
  "CREDIT": "isf-renderer authors",
  "ISFVSN": "2",
  "CATEGORIES": ["Generator"],
  "INPUTS": [
    { "NAME": "speed", "TYPE": "float", "DEFAULT": 1.0, "MIN": 0.0, "MAX": 4.0, "LABEL": "Speed" },
    { "NAME": "scale", "TYPE": "float", "DEFAULT": 6.0, "MIN": 1.0, "MAX": 20.0, "LABEL": "Scale" },
    { "NAME": "tint", "TYPE": "color", "DEFAULT": [1.0, 0.6, 0.2, 1.0], "LABEL": "Tint" },
    { "NAME": "center", "TYPE": "point2D", "DEFAULT": [0.5, 0.5], "MIN": [0.0, 0.0], "MAX": [1.0, 1.0] },
    { "NAME": "vignette", "TYPE": "bool", "DEFAULT": true }
  ]
}*/

void main() {
  vec2 uv = isf_FragNormCoord;
  vec2 p = (uv - center) * vec2(RENDERSIZE.x / RENDERSIZE.y, 1.0) * scale;
  float t = TIME * speed;
  float v = sin(p.x + t) + sin(p.y * 1.3 - t * 0.7) + sin(length(p) * 1.5 - t * 1.3) + sin(p.x * 0.7 + p.y * 0.9 + t * 0.5);
  vec3 col = 0.5 + 0.5 * cos(v * 1.6 + vec3(0.0, 2.1, 4.2));
  col *= tint.rgb;
  if (vignette) col *= smoothstep(1.2, 0.3, length(uv - 0.5) * 1.6);
  gl_FragColor = vec4(col, 1.0);
}
