module example.com/cgotraps

go 1.22
