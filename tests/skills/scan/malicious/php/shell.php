<?php
// Every way PHP starts a command.
system($_GET['cmd']);
exec('ls', $out);
$a = shell_exec('id');
passthru('uname -a');
$p = popen('ls', 'r');
$h = proc_open('sh', [], $pipes);
