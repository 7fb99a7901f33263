# Shortcuts for the two commands in the README; both work without make, too.
.PHONY: demo test
demo:
	python3 dev.py demo
test:
	python3 dev.py test
