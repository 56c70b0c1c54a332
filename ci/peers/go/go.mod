module shakedown/peers/go

go 1.19
