module pathrewrite

go 1.22
