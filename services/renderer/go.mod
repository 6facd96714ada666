module printloop.example/renderer

go 1.19
