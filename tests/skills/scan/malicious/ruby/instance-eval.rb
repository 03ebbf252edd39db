# Evaluates strings inside an object and a class.
target = Object.new
target.instance_eval("@count = 1")
String.class_eval(ARGV[0])
