#!/bin/sh
# Changes the user's shell start-up and crontab.
echo 'alias k=kubectl' >> ~/.bashrc
cp tool.conf "$HOME/.config/tool.conf"
echo '0 * * * * ~/bin/sync' | crontab -
