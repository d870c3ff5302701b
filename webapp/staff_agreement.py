"""(being written)"""

from flask import Blueprint

bp = Blueprint("agreement", __name__, url_prefix="/staff/agreement")
